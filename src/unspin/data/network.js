// The interactive network page of `unspin network` (see unspin/network_html.py). Written for unspin.
(function(){
const data=JSON.parse(document.getElementById('network-data').textContent);
const canvas=document.getElementById('graph'),ctx=canvas.getContext('2d'),info=document.getElementById('info');
const slider=document.getElementById('minw'),shown=document.getElementById('minw-value');
const W=canvas.width,H=canvas.height;
const palette=['#d1495b','#00798c','#edae49','#66a182','#8d5a97','#3d5a80','#e07a5f','#81b29a','#f2cc8f',
'#6d597a','#b56576','#355070','#2a9d8f','#e76f51','#264653'];
const nodes=data.nodes.map((n,i)=>{const r=Math.min(H/2-20,14*Math.sqrt(i+1));
 return Object.assign({x:W/2+r*Math.cos(i*2.399),y:H/2+r*Math.sin(i*2.399),vx:0,vy:0},n);});
const index=new Map(nodes.map((n,i)=>[n.id,i]));
const edges=data.edges.filter(e=>index.has(e.source)&&index.has(e.target))
 .map(e=>Object.assign({s:index.get(e.source),t:index.get(e.target)},e));
let minWeight=1,selected=-1,hover=null,dragging=-1;
function radius(n){return 4+Math.sqrt(n.copies)*1.6;}
function color(n){if(n.kind==='outlet')return '#1d2430';if(!n.cluster)return '#9aa5b1';
 return palette[(n.cluster-1)%palette.length];}
function step(){
 for(let i=0;i<nodes.length;i++){const a=nodes[i];
  for(let j=i+1;j<nodes.length;j++){const b=nodes[j];let dx=a.x-b.x,dy=a.y-b.y;
   let d2=dx*dx+dy*dy+0.01;if(d2>90000)continue;const f=600/d2;a.vx+=dx*f;a.vy+=dy*f;b.vx-=dx*f;b.vy-=dy*f;}}
 for(const e of edges){if(e.weight<minWeight)continue;const a=nodes[e.s],b=nodes[e.t];
  const dx=b.x-a.x,dy=b.y-a.y,d=Math.sqrt(dx*dx+dy*dy)+0.01,f=(d-70)*0.004*Math.min(3,1+Math.log(e.weight));
  a.vx+=dx/d*f*d/10;a.vy+=dy/d*f*d/10;b.vx-=dx/d*f*d/10;b.vy-=dy/d*f*d/10;}
 for(const n of nodes){n.vx+=(W/2-n.x)*0.002;n.vy+=(H/2-n.y)*0.002;
  if(nodes.indexOf(n)!==dragging){n.x+=Math.max(-8,Math.min(8,n.vx));n.y+=Math.max(-8,Math.min(8,n.vy));}
  n.vx*=0.6;n.vy*=0.6;n.x=Math.max(10,Math.min(W-10,n.x));n.y=Math.max(10,Math.min(H-10,n.y));}
}
function near(i){if(i<0)return null;const s=new Set([i]);
 for(const e of edges){if(e.weight<minWeight)continue;if(e.s===i)s.add(e.t);if(e.t===i)s.add(e.s);}return s;}
function draw(){
 ctx.clearRect(0,0,W,H);const focus=near(selected);
 for(const e of edges){if(e.weight<minWeight)continue;const a=nodes[e.s],b=nodes[e.t];
  const on=!focus||(focus.has(e.s)&&focus.has(e.t));ctx.strokeStyle=on?'rgba(60,70,90,0.45)':'rgba(60,70,90,0.06)';
  ctx.lineWidth=Math.min(8,0.6+Math.log(1+e.weight));ctx.beginPath();ctx.moveTo(a.x,a.y);ctx.lineTo(b.x,b.y);ctx.stroke();}
 nodes.forEach((n,i)=>{const r=radius(n);ctx.globalAlpha=!focus||focus.has(i)?1:0.15;ctx.fillStyle=color(n);
  if(n.kind==='outlet'){ctx.fillRect(n.x-r,n.y-r,2*r,2*r);}else{ctx.beginPath();ctx.arc(n.x,n.y,r,0,6.2832);ctx.fill();}
  if(n.kind==='outlet'||i===selected||r>9){ctx.fillStyle='#1d2430';ctx.font='11px system-ui';ctx.fillText(n.id,n.x+r+2,n.y+3);}
 });ctx.globalAlpha=1;
}
function nodeAt(x,y){for(let i=nodes.length-1;i>=0;i--){const n=nodes[i],r=radius(n)+2;
 if((n.x-x)*(n.x-x)+(n.y-y)*(n.y-y)<=r*r)return i;}return -1;}
function edgeAt(x,y){let best=null,bd=6;for(const e of edges){if(e.weight<minWeight)continue;
 const a=nodes[e.s],b=nodes[e.t],dx=b.x-a.x,dy=b.y-a.y,l=dx*dx+dy*dy||1;
 let t=((x-a.x)*dx+(y-a.y)*dy)/l;t=Math.max(0,Math.min(1,t));const px=a.x+t*dx-x,py=a.y+t*dy-y,d=Math.sqrt(px*px+py*py);
 if(d<bd){bd=d;best=e;}}return best;}
function fmt(v){return v===null||v===undefined?'unknown':v;}
function describe(i){const n=nodes[i];if(n.kind==='outlet')return 'outlet '+n.id+'\ncopies of it: '+n.copies;
 return 'site '+n.id+'\ncluster: '+fmt(n.cluster)+'\npages with a source: '+n.pages+'\ncopies: '+n.copies+
 '\ndocuments copied: '+n.documents+'\nrewritten share: '+fmt(n.rewritten_share)+
 '\nobfuscated share: '+fmt(n.obfuscated_share)+'\nmedian lag (days): '+fmt(n.median_lag_days);}
function describeEdge(e){return e.source+' -> '+e.target+'\ncopies: '+e.weight+'\ndocuments: '+e.documents+
 '\nmedian lag (days): '+fmt(e.median_lag_days)+'\nrewritten share: '+fmt(e.rewritten_share);}
function pos(ev){const r=canvas.getBoundingClientRect();return [(ev.clientX-r.left)*W/r.width,(ev.clientY-r.top)*H/r.height];}
canvas.addEventListener('mousemove',ev=>{const [x,y]=pos(ev);if(dragging>=0){nodes[dragging].x=x;nodes[dragging].y=y;return;}
 const i=nodeAt(x,y);if(i>=0){info.textContent=describe(i);return;}const e=edgeAt(x,y);
 if(e){info.textContent=describeEdge(e);}else if(selected>=0){info.textContent=describe(selected);}});
canvas.addEventListener('mousedown',ev=>{const [x,y]=pos(ev);dragging=nodeAt(x,y);});
canvas.addEventListener('mouseup',ev=>{const [x,y]=pos(ev);const i=nodeAt(x,y);dragging=-1;
 selected=(i===selected)?-1:i;info.textContent=selected>=0?describe(selected):'Click a node to highlight its copies.';});
slider.addEventListener('input',()=>{minWeight=Number(slider.value);shown.textContent=slider.value;});
let ticks=0;function loop(){if(ticks<600||dragging>=0){step();ticks++;}draw();requestAnimationFrame(loop);}loop();
})();
